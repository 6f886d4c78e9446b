import { post } from "../github/post.ts";
import { exit } from "./exit.ts";

await exit(await post());
