/**
 * The benchmark's baseline server: a Probot app that does nothing, served exactly as `src/entry/server/main.ts` serves
 * the real one (Probot's middleware on `node:http`), so the difference in acknowledgement time and memory is the app's
 * own.
 */
import { createServer } from "node:http";
import { createNodeMiddleware, createProbot } from "probot";

const probot = createProbot();
const middleware = await createNodeMiddleware(() => {}, { probot });
createServer((req, res) => {
  void middleware(req, res, () => {
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
  });
}).listen(Number(process.env.PORT) || 3000, process.env.HOST || "localhost");
