#!/usr/bin/env node
import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a as m}from"./chunks/chunk-26DUIXQO.js";import{a as r}from"./chunks/chunk-BJKLFPPR.js";import"./chunks/chunk-2642DXZB.js";import{h as o}from"./chunks/chunk-27KA3GUK.js";import"./chunks/chunk-S67CKPIM.js";import"./chunks/chunk-DTWKZBQO.js";import"./chunks/chunk-RJACXEO4.js";import"./chunks/chunk-R4QCWKSZ.js";import"./chunks/chunk-UW7DR2CE.js";import"./chunks/chunk-VBMDEQYI.js";m(r()).then(o);
