// The layers of src/ import one way (issue #12): domain <- rendering <- use-cases <- adapters <- entry. An inner
// layer never imports an outer one, and nothing imports in a circle. `npm run deps` checks it; it is part of
// `npm test`. No exceptions: a violation is fixed by moving code to the layer it belongs to, or by a port (an
// interface the inner code declares and the outer code implements).
const LAYERS = ["domain", "rendering", "use-cases", "adapters", "entry"];

/** One rule per layer: nothing in it may import a layer further out. */
const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer}-imports-inward-only`,
  comment: `src/${layer}/ may import only ${LAYERS.slice(0, i).join(", ") || "itself"} (and packages)`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join("|")})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      comment: "A cycle makes two modules one: split what they share into the inner one",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: "every-file-in-a-layer",
      comment: `Every file of src/ lives in one of the layers: src/{${LAYERS.join(",")}}/`,
      severity: "error",
      from: { path: "^src/", pathNot: `^src/(${LAYERS.join("|")})/` },
      to: {},
    },
    {
      name: "app-code-not-from-tools",
      comment: "src/ never imports the tests, the development stand-ins, the scripts or the benchmark",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|dev|scripts|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
