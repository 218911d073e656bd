import type { ReactNode } from 'react';

// Links in our mail are plain http(s) URLs; trailing punctuation belongs to the sentence.
const URL_PATTERN = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** Splits text into strings and anchors, so every link in an e-mail can be clicked. */
export function linkify(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    const url = match[0];
    if (start > last) out.push(text.slice(last, start));
    out.push(
      <a key={`${start}-${url}`} href={url}>
        {url}
      </a>,
    );
    last = start + url.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
