import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-FZ5NG66Q.js";import"./chunk-DTWKZBQO.js";import"./chunk-5JQNN44U.js";import"./chunk-RJACXEO4.js";import"./chunk-YYWCVLVB.js";import"./chunk-GNXWAMOV.js";import"./chunk-UW7DR2CE.js";import"./chunk-VBMDEQYI.js";export{b as judge,a as judgeOffline};
