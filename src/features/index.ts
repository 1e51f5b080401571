import type { Feature } from "./feature.js";
import { configCheck } from "./config-check.js";
import { labelTrigger } from "./label-trigger.js";
import { slashCommands } from "./slash-commands.js";

/** Every feature of the app, in one list: `src/index.ts` registers these and nothing else. */
export const features: Feature[] = [labelTrigger, slashCommands, configCheck];
