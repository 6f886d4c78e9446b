#!/usr/bin/env node
import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{b as r,d as m}from"./chunks/chunk-Y27NNMK6.js";import{a as o}from"./chunks/chunk-EFVGBT37.js";import"./chunks/chunk-DTWKZBQO.js";import"./chunks/chunk-UW7DR2CE.js";import"./chunks/chunk-LJWP73ZY.js";import"./chunks/chunk-RJACXEO4.js";import"./chunks/chunk-TOVTGBMB.js";import"./chunks/chunk-VBMDEQYI.js";r(o()).then(m);
