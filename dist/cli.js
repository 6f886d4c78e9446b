#!/usr/bin/env node
import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a as m}from"./chunks/chunk-KFHUTJGD.js";import{a as r}from"./chunks/chunk-4CKMI6PF.js";import"./chunks/chunk-ZC4FWYBX.js";import{h as o}from"./chunks/chunk-ORX7VPWQ.js";import"./chunks/chunk-HKQ4PLRL.js";import"./chunks/chunk-LJWP73ZY.js";import"./chunks/chunk-DTWKZBQO.js";import"./chunks/chunk-RJACXEO4.js";import"./chunks/chunk-XZO6ZREW.js";import"./chunks/chunk-UW7DR2CE.js";import"./chunks/chunk-VBMDEQYI.js";m(r()).then(o);
