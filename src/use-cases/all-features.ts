import type { Feature } from "./feature.js";
import { configCheck } from "./check-pull-request.js";
import { labelTrigger } from "./label-trigger.js";
import { slashCommands } from "./slash-commands/slash-commands.js";
import { followUpEvents } from "./follow-up-events.js";

/** Every feature of the app, in one list: `src/entry/create-app.ts` registers these and nothing else. */
export const features: Feature[] = [labelTrigger, slashCommands, configCheck, followUpEvents];
