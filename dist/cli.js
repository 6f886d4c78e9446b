#!/usr/bin/env node
import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{d as s,e as r}from"./chunks/chunk-LGHTAHFP.js";import"./chunks/chunk-3OQCBV4W.js";import"./chunks/chunk-EO4V6CHG.js";process.exitCode=await s({argv:process.argv.slice(2),env:process.env,stdout:process.stdout,stderr:process.stderr,readStdin:()=>r(process.stdin)});
