/** Types of message.js (browser JS without a build step; the unit tests import it in Node). */
import type { FeedItem } from '../sandbox-feed.js';
import type { Names } from './render.js';

export interface PersonLike {
  name: string;
  role: string;
}

export type People = (id: string) => PersonLike | undefined;

export function avatar(id: string, people: People): string;
export function time(at: number): string;
export function messageHtml(
  item: FeedItem,
  opts: { people: People; names?: Names; replies?: FeedItem[] },
): string;
