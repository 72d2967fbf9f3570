/** Page state kept in the URL's query string, so every view can be linked, bookmarked and reloaded. */
import { useLocation, useSearch } from 'wouter-preact';

export type UrlParams = Record<string, string | undefined>;

/** The current query parameters and a setter that merges changes into them (empty values are removed). */
export function useUrlState(): [UrlParams, (changes: UrlParams, options?: { push?: boolean }) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const params: UrlParams = Object.fromEntries(new URLSearchParams(search));
  const update = (changes: UrlParams, options: { push?: boolean } = {}) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    const text = next.toString();
    navigate(`${location}${text ? `?${text}` : ''}`, { replace: !options.push });
  };
  return [params, update];
}

/** A link target: a path and query parameters (empty ones left out). */
export function href(path: string, params: UrlParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}
