import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{b as e}from"./chunk-SEO7ERDX.js";var t=e((r,s)=>{s.exports=process.getBuiltinModule("node:assert")});var n=e((d,o)=>{o.exports=process.getBuiltinModule("node:events")});export{n as a,t as b};
