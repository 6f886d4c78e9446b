import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-7TRX6V6E.js";import"./chunk-UW7DR2CE.js";import"./chunk-VBMDEQYI.js";export{c as READ_SCOPE,b as WRITE_SCOPE,e as ask,f as followUps,a as identityPath,d as wantsWrite};
