import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);
import{b as T,c as g,d as B,e as k,f as _}from"./chunk-4CKMI6PF.js";import{a as I}from"./chunk-ZC4FWYBX.js";import{a as c,b as E,g as w}from"./chunk-ORX7VPWQ.js";import{a as v,d as i,f as h}from"./chunk-XZO6ZREW.js";import{parseArgs as A}from"node:util";var P=["email","required-scopes","repositories","expires-at","expiry-warning-days","credential-files","api-url","git-url","timeout-seconds","retries"],C=new Set(["--repositories","--required-scopes","--credential-files"]),N=/^--?(api-?token|token|password|app-password|secret)(=|$)/i;function S(e){let t=e.find(o=>N.test(o));if(t!==void 0)return p(i("token-flag",{flag:t.split("=")[0]}));let n={"rewrite-ssh-urls":{type:"boolean"},"token-stdin":{type:"boolean"},export:{type:"boolean"},help:{type:"boolean",short:"h"},version:{type:"boolean",short:"v"}};for(let o of P)n[o]={type:"string"};let{tokens:a}=A({args:e,options:n,allowPositionals:!0,strict:!1,tokens:!0}),r={},d=new Set,m=[],s=new Set,u;for(let o of a){if(o.kind==="option-terminator")continue;if(o.kind==="positional"){m.push({value:o.value,after:u}),u=void 0;continue}let b=n[o.name];if(!b)return p(i("unknown-option",{shown:L(o.rawName)}));if(b.type==="boolean"){if(o.inlineValue)return p(i("flag-takes-no-value",{flag:`--${o.name}`}));s.add(o.name),u=void 0;continue}if(o.value===void 0)return p(i("missing-value",{flag:`--${o.name}`}));r[o.name]=o.value,d.add(o.name),u=`--${o.name}`}if(s.has("help"))return{kind:"help"};if(s.has("version"))return{kind:"version"};let[l,f]=m;if(l===void 0)return p(i("no-command",{}));if(l.value!=="check"&&l.value!=="setup"&&l.value!=="cleanup")return p(i("unknown-command",{shown:y(l.value)}));if(f!==void 0){let o=f.after&&C.has(f.after)?f.after:void 0;return p(i("unexpected-argument",{shown:y(f.value),after:o}))}return s.has("export")&&l.value!=="setup"?p(i("export-needs-setup",{command:l.value})):{kind:"run",command:l.value,values:r,flags:d,rewriteSshUrls:s.has("rewrite-ssh-urls"),tokenStdin:s.has("token-stdin"),export:s.has("export")}}var p=e=>({kind:"usage",problem:e});function y(e){return v(e)?`"${e}"`:`(an argument of ${[...e].length} characters, not shown: it could be a secret)`}function L(e){let t=e.split("=")[0];return/^--?[a-z][a-z0-9-]{0,30}$/i.test(t)&&v(t)?`"${t}"`:`(an option of ${[...e].length} characters, not shown: it could be a secret)`}function U(e,t,n){return e==="api-token"?t.tokenStdin?{kind:"stdin"}:{kind:"variable",variable:"BITBUCKET_API_TOKEN"}:e==="email"&&!t.flags.has("email")?n.BITBUCKET_EMAIL?{kind:"variable",variable:"BITBUCKET_EMAIL"}:{kind:"flag",flag:"--email",variable:"BITBUCKET_EMAIL"}:{kind:"flag",flag:`--${e}`}}var $=`Usage: bitbucket-auth <check|setup|cleanup> [options]

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
  --required-scopes <list>      default: ${c["required-scopes"]}
  --repositories <list>         workspace/repo-slug list to prove read (and push) access to;
                                quote a list: --repositories "acme/app acme/lib";
                                in Bitbucket Pipelines defaults to $BITBUCKET_REPO_FULL_NAME
                                (--repositories= with an empty value checks none)
  --expires-at <date>           the token's expiry date: YYYY-MM-DD or ISO 8601
  --expiry-warning-days <n>     default: ${c["expiry-warning-days"]}
  --rewrite-ssh-urls            setup: also send git@ and ssh:// URLs of the git host over HTTPS
  --credential-files <list>     setup: also write netrc and/or composer (a netrc file, a Composer
                                home) for clients that do not read git's config
  --export                      setup: print the variables later commands need (cargo, Go, the
                                credential files) as shell code, everything else on stderr:
                                eval "$(bitbucket-auth setup --export \u2026)"
  --api-url <url>               default: ${c["api-url"]}
  --git-url <url>               default: ${c["git-url"]}
  --timeout-seconds <n>         default: ${c["timeout-seconds"]}
  --retries <n>                 default: ${c.retries}
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
`;async function J(e){let t=S(e.argv);if(t.kind==="help"||t.kind==="version")return e.stdout.write(t.kind==="help"?$:`1.0.0
`),0;if(t.kind==="usage")return k(e,"command",{problems:[t.problem],warnings:[]}),e.argv.includes("--export")&&e.stdout.write(`(exit ${h["bad-input"]})
`),h["bad-input"];if(t.command==="cleanup"){let{cleanup:r}=await import("./cleanup-BFQBS6XF.js");return r(e)}let n={...t.values};n.email??=e.env.BITBUCKET_EMAIL,n["api-token"]=t.tokenStdin?await e.readStdin():e.env.BITBUCKET_API_TOKEN,n["configure-git"]=t.command==="setup"?"true":"false",n["rewrite-ssh-urls"]=t.rewriteSshUrls?"true":"false";let a=Object.fromEntries(E.map(r=>[r,U(r,t,e.env)]));return n.repositories===void 0&&g(e.env)&&(n.repositories=e.env.BITBUCKET_REPO_FULL_NAME,a.repositories={kind:"variable",variable:"BITBUCKET_REPO_FULL_NAME"}),t.export?x({...e,stdout:e.stderr},"command",{values:n,sources:a},e.stdout):x(e,"command",{values:n,sources:a})}async function x(e,t,n,a){let r=await I(n,{now:()=>new Date,log:e.env.BITBUCKET_AUTH_DEBUG?u=>e.stderr.write(`debug: ${u}
`):void 0,busy:()=>T(e,"Checking the token with Bitbucket"),git:{environment:B(e.env)}});k(e,t,r,n);let d=Object.keys(r.git?.exports??{});r.git&&!a&&d.length>0&&_(e,t,i("exports-not-applied",{names:d})),r.git&&e.stdout.write(g(e.env)?"  Remove them with `bitbucket-auth cleanup` in after-script: (it runs even when the step fails).\n":"  Remove them with `bitbucket-auth cleanup` when you are done.\n");let m=e.env.BITBUCKET_PIPELINES_VARIABLES_PATH;if(r.verdict==="fit"&&r.report&&g(e.env)&&m){let u=await R(m,w(r.report));u&&k(e,t,{problems:[],warnings:[u]},n)}let s=h[r.verdict];return a?.write(s===0?K(r.git?.exports??{}):`(exit ${s})
`),s}function K(e){return Object.entries(e).map(([t,n])=>`export ${t}='${n.replaceAll("'","'\\''")}'
`).join("")}async function R(e,t){try{let{appendFile:n,readFile:a}=await import("node:fs/promises"),r=await a(e,"utf8").catch(()=>"");await n(e,`${r!==""&&!r.endsWith(`
`)?`
`:""}${t}`);return}catch(n){return i("output-variables-failed",{file:e,reason:n.message})}}export{J as a,x as b};
