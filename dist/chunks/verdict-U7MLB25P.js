import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-T6LVW7LV.js";import"./chunk-DTWKZBQO.js";import"./chunk-LCUI4664.js";import"./chunk-RJACXEO4.js";import"./chunk-QJRGU6UL.js";import"./chunk-7TRX6V6E.js";import"./chunk-UW7DR2CE.js";import"./chunk-VBMDEQYI.js";export{b as judge,a as judgeOffline};
