import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);
import{e as l,f,m as i,n as g,p as h}from"./chunk-3OQCBV4W.js";import*as p from"node:os";var m=e=>!!e.BITBUCKET_BUILD_NUMBER;function P(e){return{tempDir:e.RUNNER_TEMP||p.tmpdir(),home:e.HOME||p.homedir(),env:e,workspace:e.BITBUCKET_CLONE_DIR||e.GITHUB_WORKSPACE}}import{parseArgs as I}from"node:util";var a={ok:0,unfit:1,badInput:2,unreachable:3,unexpected:4},w=`Usage: bitbucket-auth <check|setup|cleanup> [options]

  check     Prove the token: identity, scopes, repositories, expiry. Changes nothing.
  setup     check, then git credentials for later commands (global git config include).
  cleanup   Remove what setup added. Safe to run twice, or when setup never ran.

The token comes from BITBUCKET_API_TOKEN, or from standard input with --token-stdin.
It is never accepted as a flag: argument lists are visible to every process.

Options (the GitHub Action's inputs, as flags):
  --email <email>               Atlassian account email (or BITBUCKET_EMAIL); omit for access tokens
  --required-scopes <list>      default: ${i["required-scopes"]}
  --repositories <list>         workspace/repo-slug list; in Pipelines defaults to this repository
  --expires-at <date>           the token's expiry date, YYYY-MM-DD
  --expiry-warning-days <n>     default: ${i["expiry-warning-days"]}
  --rewrite-ssh-urls            also send git@ and ssh:// URLs of the git host over HTTPS
  --api-url <url>               default: ${i["api-url"]}
  --git-url <url>               default: ${i["git-url"]}
  --timeout-seconds <n>         default: ${i["timeout-seconds"]}
  --retries <n>                 default: ${i.retries}
  --token-stdin                 read the token from standard input
  -h, --help                    this text
  -v, --version                 the version

Exit codes: 0 fit for use (or cleaned up), 1 token not fit, 2 bad input or usage,
3 Bitbucket could not be reached (the token was not judged), 4 unexpected error.
`,k=["email","required-scopes","repositories","expires-at","expiry-warning-days","api-url","git-url","timeout-seconds","retries"];async function S(e){let r=t=>e.stdout.write(t),s=t=>e.stderr.write(t),o;try{o=B(e.argv)}catch(t){return s(`bitbucket-auth: ${t.message}
Run 'bitbucket-auth --help' for usage.
`),a.badInput}let{values:n,command:u}=o;if(n.help||n.version)return r(n.help?w:`1.0.0
`),a.ok;if(u!=="check"&&u!=="setup"&&u!=="cleanup")return s(`bitbucket-auth: ${u?`unknown command "${u}"`:"a command is needed"}: check, setup or cleanup.
Run 'bitbucket-auth --help' for usage.
`),a.badInput;let d=!!e.stdout.isTTY&&e.env.NO_COLOR===void 0;try{if(u==="cleanup"){let{cleanup:c}=await import("./commands-KBYUFYOM.js");return await c(e,d)}let t={};for(let c of k)t[c]=n[c];if(t.email??=e.env.BITBUCKET_EMAIL,t["rewrite-ssh-urls"]=n["rewrite-ssh-urls"]?"true":"false",!t.repositories&&m(e.env)&&(t.repositories=e.env.BITBUCKET_REPO_FULL_NAME),t["api-token"]=n["token-stdin"]?await e.readStdin():e.env.BITBUCKET_API_TOKEN??"",!t["api-token"]?.trim())return s(n["token-stdin"]?"\u2718 Standard input was empty: pipe the token in, e.g. `bitbucket-auth check --token-stdin < token.txt`.\n":`\u2718 No token: set BITBUCKET_API_TOKEN (in Bitbucket Pipelines, a secured repository or workspace variable), or pipe it in with --token-stdin.
`),a.badInput;let T=h(g(t),new Date),{checkAndMaybeSetUp:E}=await import("./commands-KBYUFYOM.js");return await E(T,u==="setup",e,d)}catch(t){return y(t,s,d)}}function B(e){let r={"rewrite-ssh-urls":{type:"boolean"},"token-stdin":{type:"boolean"},help:{type:"boolean",short:"h"},version:{type:"boolean",short:"v"}};for(let n of k)r[n]={type:"string"};let{values:s,positionals:o}=I({args:e,options:r,allowPositionals:!0,strict:!0});if(o.length>1)throw new Error(`unexpected argument "${o[1]}"`);return{values:s,command:o[0]}}function y(e,r,s){let o=n=>s?`\x1B[31m${n}\x1B[0m`:n;if(e instanceof l){for(let n of e.problems)r(`${o(`\u2718 ${b(n.message)}`)}
  \u2192 ${b(n.fix)}
`);return e.stage==="input"?a.badInput:a.unfit}return e instanceof f?(r(`${o(`\u2718 ${e.message}`)}
  \u2192 Try again; check the network and proxy settings (HTTPS_PROXY, NO_PROXY).
`),a.unreachable):(r(`${o(`\u2718 Unexpected error: ${e instanceof Error?e.message:String(e)}`)}
`),a.unexpected)}function b(e){return e.replace(/input `api-token`/g,"token (BITBUCKET_API_TOKEN)").replace(/`api-token: \$\{\{ secrets\.BITBUCKET_API_TOKEN \}\}`/g,"a secured variable BITBUCKET_API_TOKEN").replace(/(?:the )?input `([a-z-]+)`/gi,"--$1").replace(/`([a-z-]+)`/g,(r,s)=>s in i?`--${s}`:r)}async function $(e){let r=[];for await(let s of e)r.push(Buffer.from(s));return Buffer.concat(r).toString("utf8")}export{m as a,P as b,a as c,S as d,$ as e};
