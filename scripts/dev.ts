// `npm run dev`: what `npm start` starts (the live program, or the sandbox with no configuration), from the
// TypeScript sources, restarted by `tsx watch` on every change.
import "dotenv/config";
import { isUnconfigured } from "../src/config/config.js";

const program = isUnconfigured(process.env) ? await import("../sandbox/main.js") : await import("../src/main.js");
await program.main();
