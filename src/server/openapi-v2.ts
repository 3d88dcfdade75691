// GET /openapi/v2: the Swagger 2.0 document as JSON or gnostic protobuf, with an ETag and 304 as v3 has.
import { openApiV2 } from '../registry/openapi-v2';
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_RESPONSE, pickOpenApiV2 } from './negotiate';
import { ApiError, statusResponse } from './errors';

export function openApiV2Response(req: Request): Response {
  const form = pickOpenApiV2(req.headers.get('accept'));
  if (!form) {
    return statusResponse(
      new ApiError(
        406,
        'NotAcceptable',
        `only application/json and ${OPENAPI_V2_PROTOBUF} are served at /openapi/v2`,
      ),
    );
  }
  const doc = openApiV2()[form === 'json' ? 'json' : 'proto'];
  const headers = {
    'content-type': form === 'json' ? 'application/json' : OPENAPI_V2_PROTOBUF_RESPONSE,
    etag: doc.etag,
    vary: 'Accept',
  };
  const match = req.headers.get('if-none-match');
  if (match && match.split(',').some((t) => t.trim() === doc.etag))
    return new Response(null, { status: 304, headers });
  return new Response(doc.body, { headers });
}
