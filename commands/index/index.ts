import {Args, Flags} from '@oclif/core'
import {ArsCommand, sharedFlags} from '../_shared/base-command.js'
import {DataError} from '../../src/core/index.js'
import {parseBm25Flag} from '../_shared/search-flags.js'
import {ANALYZER_NAMES, type AnalyzerName} from '../../src/search/index.js'
import {buildIndex, readCorpus} from '../../src/search/index.js'

export default class Index extends ArsCommand {
  static override summary = 'Build a BM25 index directory from a JSONL corpus.'
  static override description = 'Reads {id, title, text} or {id, contents} lines (Search-R1 wiki dumps: title quoted on the first line of contents; url optional) and writes an index that `--search DIR` opens in milliseconds. Scores are Lucene 8 BM25 (same analyzer, same ranking as Pyserini). The corpus text is stored in the index so hits carry title, url, snippet and text.'
  static override examples = [
    'ars index world/corpus.jsonl --out world/index',
    'ars index wiki-18.jsonl.gz --out wiki-index --k1 0.9 --b 0.4   # Pyserini defaults, as in Search-R1',
    'ars read < urls.jsonl | ars index --out pages-index',
  ]

  static override args = {
    corpus: Args.string({description: 'Corpus JSONL file (.gz ok); "-" or none reads stdin.', required: false, ignoreStdin: true}),
  }

  static override flags = {
    out: Flags.string({char: 'o', required: true, description: 'Index directory to write (replaced if it holds an earlier ars index).', helpValue: 'DIR'}),
    k1: Flags.string({description: 'BM25 k1 stored as the index default (queries may override).', default: '1.2'}),
    b: Flags.string({description: 'BM25 b stored as the index default (queries may override).', default: '0.75'}),
    analyzer: Flags.option({options: ANALYZER_NAMES, default: 'english' as AnalyzerName, description: 'english: Lucene EnglishAnalyzer (stop words + Porter); standard: lowercase tokens only.'})(),
    'on-invalid': sharedFlags.onInvalid,
    'allow-empty': sharedFlags.allowEmpty,
    quiet: sharedFlags.quiet,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Index)
    const policy = this.invalidPolicy(flags['on-invalid'])
    const progress = this.progress(flags.quiet)
    const inputs = args.corpus === undefined ? [] : [args.corpus]
    const meta = await buildIndex(readCorpus(inputs, policy), flags.out, {
      analyzer: flags.analyzer,
      k1: parseBm25Flag('--k1', flags.k1),
      b: parseBm25Flag('--b', flags.b),
      onProgress: progress.callback,
    }).finally(() => progress.stop())
    if (meta.docCount === 0 && !flags['allow-empty']) {
      throw new DataError('empty corpus: no documents were indexed', {where: args.corpus ?? 'stdin', code: 'empty', fix: 'Check the corpus file, or pass --allow-empty.'})
    }
    if (!flags.quiet) process.stderr.write(`indexed ${meta.docCount} documents, ${meta.termCount} terms into ${flags.out}${policy.invalid > 0 ? ` (${policy.invalid} invalid lines skipped)` : ''}\n`)
  }
}
