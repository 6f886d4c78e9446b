import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-BKVPP3IY.js";import"./chunk-3XQLELJH.js";import"./chunk-VBMDEQYI.js";export{c as CONNECTIONS_PER_HOST,a as CONNECT_TIMEOUT_MS,b as MAX_BODY_BYTES,d as TransportError,e as createTransport,f as normalise};
