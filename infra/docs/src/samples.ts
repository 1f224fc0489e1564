// The runnable samples of a page: a fenced code block right after a `<!-- sample: <file> ... -->`
// comment (invisible when rendered) is that file, exactly as a reader copies it. The sentence
// after it that starts "It prints" says what it prints: each `quoted` text there is a line.

/** A marked sample: the file name the page gives it, its text, and the lines the page says it prints. */
export interface Sample {
  file: string;
  /** The fence's info string (`ts`). */
  lang: string;
  code: string;
  /** The `quoted` texts of the "It prints …" sentence after the block; empty when there is none. */
  prints: string[];
}

const MARKED = /<!--\s*sample:\s*(\S+)[^>]*-->\s*\n```([^\n]*)\n([\s\S]*?)\n```\n/g;
// Up to the first full stop or colon that ends a sentence (not the one in "2.00").
const PRINTS = /^\s*It prints ([\s\S]*?)[.:](?:\s|$)/;

/** The page's marked samples, in order; a marker not followed by a code block is an error. */
export function samplesOf(markdown: string): Sample[] {
  const markers = markdown.match(/<!--\s*sample:/g)?.length ?? 0;
  const samples = [...markdown.matchAll(MARKED)].map((m) => {
    const after = markdown.slice(m.index + m[0].length);
    const sentence = PRINTS.exec(after)?.[1] ?? '';
    return {
      file: m[1]!,
      lang: m[2]!.trim(),
      code: `${m[3]!}\n`,
      prints: [...sentence.matchAll(/`([^`]+)`/g)].map((q) => q[1]!),
    };
  });
  if (samples.length !== markers)
    throw new Error(`${markers} sample markers but ${samples.length} marked code blocks follow one`);
  return samples;
}
