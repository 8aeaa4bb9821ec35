// What a world folder is (`ars world build --out DIR`): the one recogniser every command and area uses, and the
// paths of its parts. It lives in core because search, agent, eval, synthesize and the commands all ask it, and
// none of them may import src/world (which sits above the agent: its oracle is an agent).
import {existsSync} from 'node:fs'
import {join} from 'node:path'

/** The manifest, written last by `ars world build`: a folder is a world folder when it holds this file. */
export const WORLD_MANIFEST = 'world.json'

/** True when `path` is a world folder (it holds world.json). */
export function isWorldDir(path: string | undefined): path is string {
  return path !== undefined && path !== '' && existsSync(join(path, WORLD_MANIFEST))
}

/** Where a world folder keeps each part. `index` is optional (`ars index DIR/corpus.jsonl --out DIR/index`). */
export function worldPaths(dir: string): {manifest: string; kb: string; corpus: string; index: string; site: string; truth: string; questions: string; seeds: string} {
  return {
    manifest: join(dir, WORLD_MANIFEST),
    kb: join(dir, 'kb.jsonl'),
    corpus: join(dir, 'corpus.jsonl'),
    index: join(dir, 'index'),
    site: join(dir, 'site'),
    truth: join(dir, 'site', 'truth.jsonl'),
    questions: join(dir, 'questions'),
    seeds: join(dir, 'seeds.jsonl'),
  }
}
