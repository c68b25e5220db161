/**
 * A handler for tests that bundle an entry file: it answers with the request's path.
 */
export const handler = async (event: { rawPath?: string; path?: string }) => ({
  statusCode: 200,
  body: JSON.stringify({ path: event.rawPath ?? event.path }),
});
