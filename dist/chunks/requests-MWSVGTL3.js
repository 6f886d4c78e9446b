import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-GNXWAMOV.js";import"./chunk-UW7DR2CE.js";import"./chunk-VBMDEQYI.js";export{b as READ_SCOPE,a as WRITE_SCOPE,d as ask,e as followUps,c as wantsWrite};
