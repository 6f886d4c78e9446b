import { enablePrivateCompileCache } from "./compile-cache.ts";
import { exit } from "./exit.ts";

// The same cache as main's: post loads the action's bundle main compiled.
enablePrivateCompileCache();
const { post } = await import("./action.ts");
await exit(await post());
