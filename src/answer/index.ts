// src/answer: how an answer is found in a reply and scored — the official metrics (EM, F1, cover-EM, GAIA), the
// any-gold match the filters use, the one answer-extraction rule, and the closed-book prompt and call. It sits below
// every stage that scores or asks for answers (agent rewards, eval, filter, synthesize, world facts).
export * from './metrics.js'
export {matchesAnyGold} from './answer-match.js'
export {extractAnswer} from './extract.js'
export {answerClosedBook, closedBookInput, ClosedBookSolver, CLOSED_BOOK_MAX_TOKENS, CLOSED_BOOK_SYSTEM} from './closed-book.js'
export type {ClosedBookAnswer, ClosedBookCall, ClosedBookOptions} from './closed-book.js'
export type {SolveRequest, Solver} from './solver.js'
