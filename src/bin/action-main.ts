import { main } from "../github/main.ts";
import { exit } from "./exit.ts";

await exit(await main());
