import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-BAP5F4IE.js";import"./chunk-DTWKZBQO.js";import"./chunk-GNXWAMOV.js";import"./chunk-UW7DR2CE.js";import"./chunk-73LHTQFE.js";import"./chunk-LCWOC4MW.js";import"./chunk-7R6DTQV5.js";import"./chunk-VBMDEQYI.js";export{b as judge,a as judgeOffline};
