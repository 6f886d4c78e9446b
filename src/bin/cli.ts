#!/usr/bin/env node
import { processIo } from "../cli/io.ts";
import { run } from "../cli/run.ts";
import { exit } from "./exit.ts";

// No top-level await: the single executable (scripts/build-binary.ts) bundles this same file as
// CommonJS, which has none.
run(processIo()).then(exit);
