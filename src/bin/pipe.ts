import { processIo } from "../cli/io.ts";
import { runPipe } from "../cli/pipe.ts";
import { exit } from "./exit.ts";

await exit(await runPipe(processIo([])));
