#!/usr/bin/env node
import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a as m}from"./chunks/chunk-VIEHWRVC.js";import{a as r}from"./chunks/chunk-BM7DTYWV.js";import"./chunks/chunk-RAZJROJD.js";import{h as o}from"./chunks/chunk-M7PZG3LC.js";import"./chunks/chunk-S67CKPIM.js";import"./chunks/chunk-DTWKZBQO.js";import"./chunks/chunk-RJACXEO4.js";import"./chunks/chunk-QJRGU6UL.js";import"./chunks/chunk-UW7DR2CE.js";import"./chunks/chunk-VBMDEQYI.js";m(r()).then(o);
