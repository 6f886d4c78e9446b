#!/usr/bin/env node
import { processIo } from "../cli/io.ts";
import { run } from "../cli/run.ts";
import { exit } from "./exit.ts";

await exit(await run(processIo()));
