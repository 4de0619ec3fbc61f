namespace Connectory.Errors;

/// <summary>
/// Every error code the /api/v1 surface can answer with. Codes are stable: clients match on them,
/// so a code is never reused for another meaning. The README lists this catalog.
/// </summary>
internal static class ErrorCatalog
{
    public static readonly ErrorKind BadRequest = new("DCERROR-0010", "Bad or invalid request", 400);
    public static readonly ErrorKind MalformedJson = new("DCERROR-0011", "Malformed request body", 400);
    public static readonly ErrorKind InvalidParameter = new("DCERROR-0012", "Invalid parameter", 400);
    public static readonly ErrorKind MissingField = new("DCERROR-0013", "Missing required field", 400);
    public static readonly ErrorKind InvalidField = new("DCERROR-0014", "Invalid field value", 400);
    public static readonly ErrorKind Unauthorized = new("DCERROR-0020", "Unauthorized", 401);
    public static readonly ErrorKind Forbidden = new("DCERROR-0030", "Forbidden", 403);
    public static readonly ErrorKind NotFound = new("DCERROR-0040", "Not found", 404);
    public static readonly ErrorKind RouteNotFound = new("DCERROR-0041", "Route not found", 404);
    public static readonly ErrorKind MethodNotAllowed = new("DCERROR-0050", "Method not allowed", 405);
    public static readonly ErrorKind RequestTimeout = new("DCERROR-0080", "Request headers not received in time", 408);
    public static readonly ErrorKind Conflict = new("DCERROR-0090", "Conflict", 409);
    public static readonly ErrorKind PreconditionFailed = new("DCERROR-0091", "Precondition failed", 412);
    public static readonly ErrorKind SecretReferenceUnresolved = new("DCERROR-0092", "Secret reference cannot be resolved", 409);
    public static readonly ErrorKind PayloadTooLarge = new("DCERROR-0130", "Request body too large", 413);
    public static readonly ErrorKind UriTooLong = new("DCERROR-0140", "Request line too long", 414);
    public static readonly ErrorKind UnsupportedMediaType = new("DCERROR-0150", "Unsupported media type", 415);
    public static readonly ErrorKind TooManyRequests = new("DCERROR-0290", "Too many requests", 429);
    public static readonly ErrorKind HeadersTooLarge = new("DCERROR-0310", "Request headers too large", 431);
    public static readonly ErrorKind Internal = new("DCERROR-0500", "Internal server error", 500);
    public static readonly ErrorKind DecryptionFailed = new("DCERROR-0501", "Credential decryption failed", 500);
    public static readonly ErrorKind BadGateway = new("DCERROR-0502", "Bad gateway", 502);
    public static readonly ErrorKind Unavailable = new("DCERROR-0503", "Service unavailable", 503);
    public static readonly ErrorKind HttpVersionNotSupported = new("DCERROR-0505", "HTTP version not supported", 505);

    public static IReadOnlyList<ErrorKind> All { get; } =
    [
        BadRequest, MalformedJson, InvalidParameter, MissingField, InvalidField, Unauthorized, Forbidden,
        NotFound, RouteNotFound, MethodNotAllowed, RequestTimeout, Conflict, PreconditionFailed, SecretReferenceUnresolved, PayloadTooLarge,
        UriTooLong, UnsupportedMediaType, TooManyRequests, HeadersTooLarge, Internal, DecryptionFailed, BadGateway,
        Unavailable, HttpVersionNotSupported,
    ];

    public static ErrorKind ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => RouteNotFound,
        405 => MethodNotAllowed,
        408 => RequestTimeout,
        409 => Conflict,
        412 => PreconditionFailed,
        413 => PayloadTooLarge,
        414 => UriTooLong,
        415 => UnsupportedMediaType,
        429 => TooManyRequests,
        431 => HeadersTooLarge,
        502 => BadGateway,
        503 => Unavailable,
        505 => HttpVersionNotSupported,
        _ => status >= 500 ? Internal : BadRequest,
    };
}

internal sealed record ErrorKind(string Code, string Title, int Status);
