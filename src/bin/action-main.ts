import { enablePrivateCompileCache } from "./compile-cache.ts";
import { exit } from "./exit.ts";

// The cache first: what is imported after it is compiled once, then loaded from the cache.
// Nothing here prints; main() masks the token before anything else can.
enablePrivateCompileCache();
const { main } = await import("./action.ts");
await exit(await main());
