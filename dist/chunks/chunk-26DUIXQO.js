import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{b as w,c as f,d as B,e as h}from"./chunk-BJKLFPPR.js";import{a as b}from"./chunk-2642DXZB.js";import{a as u,b as I,g as T}from"./chunk-27KA3GUK.js";import{a as g,d as s,f as k}from"./chunk-R4QCWKSZ.js";import{parseArgs as S}from"node:util";var A=["email","required-scopes","repositories","expires-at","expiry-warning-days","api-url","git-url","timeout-seconds","retries"],P=new Set(["--repositories","--required-scopes"]),C=/^--?(api-?token|token|password|app-password|secret)(=|$)/i;function y(e){let t=e.find(r=>C.test(r));if(t!==void 0)return l(s("token-flag",{flag:t.split("=")[0]}));let n={"rewrite-ssh-urls":{type:"boolean"},"token-stdin":{type:"boolean"},help:{type:"boolean",short:"h"},version:{type:"boolean",short:"v"}};for(let r of A)n[r]={type:"string"};let{tokens:o}=S({args:e,options:n,allowPositionals:!0,strict:!1,tokens:!0}),i={},a=new Set,v=[],d=new Set,m;for(let r of o){if(r.kind==="option-terminator")continue;if(r.kind==="positional"){v.push({value:r.value,after:m}),m=void 0;continue}let E=n[r.name];if(!E)return l(s("unknown-option",{shown:L(r.rawName)}));if(E.type==="boolean"){if(r.inlineValue)return l(s("flag-takes-no-value",{flag:`--${r.name}`}));d.add(r.name),m=void 0;continue}if(r.value===void 0)return l(s("missing-value",{flag:`--${r.name}`}));i[r.name]=r.value,a.add(r.name),m=`--${r.name}`}if(d.has("help"))return{kind:"help"};if(d.has("version"))return{kind:"version"};let[p,c]=v;if(p===void 0)return l(s("no-command",{}));if(p.value!=="check"&&p.value!=="setup"&&p.value!=="cleanup")return l(s("unknown-command",{shown:_(p.value)}));if(c!==void 0){let r=c.after&&P.has(c.after)?c.after:void 0;return l(s("unexpected-argument",{shown:_(c.value),after:r}))}return{kind:"run",command:p.value,values:i,flags:a,rewriteSshUrls:d.has("rewrite-ssh-urls"),tokenStdin:d.has("token-stdin")}}var l=e=>({kind:"usage",problem:e});function _(e){return g(e)?`"${e}"`:`(an argument of ${[...e].length} characters, not shown: it could be a secret)`}function L(e){let t=e.split("=")[0];return/^--?[a-z][a-z0-9-]{0,30}$/i.test(t)&&g(t)?`"${t}"`:`(an option of ${[...e].length} characters, not shown: it could be a secret)`}function U(e,t,n){return e==="api-token"?t.tokenStdin?{kind:"stdin"}:{kind:"variable",variable:"BITBUCKET_API_TOKEN"}:e==="email"&&!t.flags.has("email")?n.BITBUCKET_EMAIL?{kind:"variable",variable:"BITBUCKET_EMAIL"}:{kind:"flag",flag:"--email",variable:"BITBUCKET_EMAIL"}:{kind:"flag",flag:`--${e}`}}var N=`Usage: bitbucket-auth <check|setup|cleanup> [options]

  check     Prove the token: identity, scopes, repositories, expiry. Changes nothing.
  setup     check, then git credentials for later commands of this shell or step
            (a 0600 file outside the clone directory, included from the global git config).
  cleanup   Remove what setup added; the global git config is left byte for byte as before.
            Safe to run twice, or when setup never ran (use it in after-script:).

The token comes from BITBUCKET_API_TOKEN, or from standard input with --token-stdin.
It is never accepted as a flag: argument lists are visible to every process.

Options (the GitHub Action's inputs, as flags):
  --email <email>               Atlassian account email (default: BITBUCKET_EMAIL);
                                omit for repository, project or workspace access tokens
  --required-scopes <list>      default: ${u["required-scopes"]}
  --repositories <list>         workspace/repo-slug list to prove read (and push) access to;
                                quote a list: --repositories "acme/app acme/lib";
                                in Bitbucket Pipelines defaults to $BITBUCKET_REPO_FULL_NAME
                                (--repositories= with an empty value checks none)
  --expires-at <date>           the token's expiry date: YYYY-MM-DD or ISO 8601
  --expiry-warning-days <n>     default: ${u["expiry-warning-days"]}
  --rewrite-ssh-urls            setup: also send git@ and ssh:// URLs of the git host over HTTPS
  --api-url <url>               default: ${u["api-url"]}
  --git-url <url>               default: ${u["git-url"]}
  --timeout-seconds <n>         default: ${u["timeout-seconds"]}
  --retries <n>                 default: ${u.retries}
  --token-stdin                 read the token from standard input
  -h, --help                    this text
  -v, --version                 the version

Environment:
  BITBUCKET_API_TOKEN           the token (an Atlassian API token, or an access token)
  BITBUCKET_EMAIL               the email, when --email is not given
  NO_COLOR                      no colour (colour is used only on a terminal anyway)
  BITBUCKET_AUTH_DEBUG          one line per request on stderr (never a header or body)
  In Bitbucket Pipelines (BITBUCKET_BUILD_NUMBER is set), check and setup append
  BITBUCKET_AUTH_USERNAME (git's username) and BITBUCKET_AUTH_EXPIRES_IN_DAYS (when
  --expires-at is given) to $BITBUCKET_PIPELINES_VARIABLES_PATH, for output-variables.

Exit codes: 0 fit for use (or cleaned up), 1 token not fit, 2 bad input or usage,
3 Bitbucket could not be reached (the token was not judged), 4 unexpected error.
`;async function X(e){let t=y(e.argv);if(t.kind==="help"||t.kind==="version")return e.stdout.write(t.kind==="help"?N:`1.0.0
`),0;if(t.kind==="usage")return h(e,"command",{problems:[t.problem],warnings:[]}),k["bad-input"];if(t.command==="cleanup"){let{cleanup:i}=await import("./cleanup-XFMQEVSZ.js");return i(e)}let n={...t.values};n.email??=e.env.BITBUCKET_EMAIL,n["api-token"]=t.tokenStdin?await e.readStdin():e.env.BITBUCKET_API_TOKEN,n["configure-git"]=t.command==="setup"?"true":"false",n["rewrite-ssh-urls"]=t.rewriteSshUrls?"true":"false";let o=Object.fromEntries(I.map(i=>[i,U(i,t,e.env)]));return n.repositories===void 0&&f(e.env)&&(n.repositories=e.env.BITBUCKET_REPO_FULL_NAME,o.repositories={kind:"variable",variable:"BITBUCKET_REPO_FULL_NAME"}),K(e,"command",{values:n,sources:o})}async function K(e,t,n){let o=await b(n,{now:()=>new Date,log:e.env.BITBUCKET_AUTH_DEBUG?a=>e.stderr.write(`debug: ${a}
`):void 0,busy:()=>w(e,"Checking the token with Bitbucket"),git:{environment:B(e.env)}});h(e,t,o,n),o.git&&e.stdout.write(f(e.env)?"  Remove them with `bitbucket-auth cleanup` in after-script: (it runs even when the step fails).\n":"  Remove them with `bitbucket-auth cleanup` when you are done.\n");let i=e.env.BITBUCKET_PIPELINES_VARIABLES_PATH;if(o.verdict==="fit"&&o.report&&f(e.env)&&i){let a=await R(i,T(o.report));a&&h(e,t,{problems:[],warnings:[a]},n)}return k[o.verdict]}async function R(e,t){try{let{appendFile:n,readFile:o}=await import("node:fs/promises"),i=await o(e,"utf8").catch(()=>"");await n(e,`${i!==""&&!i.endsWith(`
`)?`
`:""}${t}`);return}catch(n){return s("output-variables-failed",{file:e,reason:n.message})}}export{X as a,K as b};
