import { setJsonMember } from '../../json/edit-json.js';
import { asObject } from '../../json/read-json.js';

/** The bridge's edit of a Chat Completions request. */
export interface ChatRequestEdit {
  /** The body to send upstream, or null to send the received bytes. */
  editedBody: string | null;
  /** Whether the client asked for the usage chunk itself (else the bridge drops it from the stream). */
  clientWantsUsage: boolean;
}

/**
 * A streamed completion reports usage only with `stream_options.include_usage`, so the bridge sets it,
 * touching nothing else in the body. Blocking completions always carry usage and are not edited.
 */
export function editRequest(body: Record<string, unknown>, text: string): ChatRequestEdit {
  if (body.stream !== true || asObject(body.stream_options)?.include_usage === true) {
    return { editedBody: null, clientWantsUsage: true };
  }
  return {
    editedBody: setJsonMember(text, ['stream_options', 'include_usage'], 'true'),
    clientWantsUsage: false,
  };
}
