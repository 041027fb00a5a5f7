package dev.shovel.server;

/** An error answered in OpenAI's shape, {@code {"error": {"message", "type", "code"}}}, with its HTTP status. */
final class ApiError extends RuntimeException {
    final int status;
    final String type;

    ApiError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    static ApiError badRequest(String message) { return new ApiError(400, "invalid_request_error", message); }

    static ApiError notFound(String message) { return new ApiError(404, "not_found_error", message); }

    static ApiError unavailable(String message) { return new ApiError(503, "unavailable_error", message); }
}
