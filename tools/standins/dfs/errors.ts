/** The service's error replies: codes, messages and the XML (blob) or JSON (DFS) body. */
import type { DfsReply } from './model';

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SERVICE_MESSAGES: Record<string, string> = {
  PathNotFound: 'The specified path does not exist.',
  BlobNotFound: 'The specified blob does not exist.',
  FilesystemNotFound: 'The specified filesystem does not exist.',
  ContainerNotFound: 'The specified container does not exist.',
  ContainerAlreadyExists: 'The specified container already exists.',
  FilesystemAlreadyExists: 'The specified filesystem already exists.',
  PathAlreadyExists: 'The specified path already exists.',
  SourcePathNotFound: 'The source path for a rename operation does not exist.',
  RenameDestinationParentPathNotFound: 'The parent directory of the destination path does not exist.',
  DirectoryNotEmpty: 'The recursive query parameter value must be true to delete a non-empty directory.',
  InvalidFlushPosition:
    'The uploaded data is not contiguous or the position query parameter value is not equal to the length of the file after appending the uploaded data.',
  ServerBusy: 'The server is busy.',
  InternalError: 'The server encountered an internal error. Please retry the request.',
  NoAuthenticationInformation:
    'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.',
  UnsupportedHttpVerb: 'The resource doesn\u2019t support the specified HTTP verb.',
  InvalidUri: 'The requested URI does not represent any resource on the server.',
  InvalidQueryParameterValue:
    'Value for one of the query parameters specified in the request URI is invalid.',
  PathConflict:
    'The specified path, or an element of the path, exists and its resource type is invalid for this operation.',
};

export function fail(status: number, code: string): never {
  throw new ServiceError(status, code, SERVICE_MESSAGES[code] ?? code);
}

export function faultCode(status: number): string {
  if (status === 503) return 'ServerBusy';
  if (status === 500) return 'InternalError';
  return 'InjectedFault';
}

/** The reply the service sends for an error: XML on the blob endpoint, JSON on the DFS one, no body for HEAD. */
export function errorReply(
  err: ServiceError,
  method: string | undefined,
  url: URL,
  requestId: string,
): DfsReply {
  const isBlob =
    ((method === 'GET' || method === 'HEAD') && !url.searchParams.has('resource')) ||
    url.searchParams.get('restype') === 'container';
  const message = `${err.message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}`;
  const errBody =
    method === 'HEAD'
      ? undefined
      : isBlob
        ? Buffer.from(
            `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${err.code}</Code><Message>${message}</Message></Error>`,
          )
        : Buffer.from(JSON.stringify({ error: { code: err.code, message } }));
  return {
    status: err.status,
    headers: {
      'x-ms-error-code': err.code,
      'content-type': isBlob ? 'application/xml' : 'application/json;charset=utf-8',
      ...(errBody ? { 'content-length': String(errBody.length) } : {}),
    },
    body: errBody,
  };
}
