package dev.shovel.server;

/** An error answered in OpenAI's shape, {@code {"error": {"message", "type", "code"}}}, with its HTTP status. */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    String limit; // set when a server limit caused it: what the log's "refused:" line says

    ApiError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    /** Marks the error as a limit's refusal, described for the log. */
    ApiError limit(String why) {
        limit = why;
        return this;
    }

    static ApiError badRequest(String message) { return new ApiError(400, "invalid_request_error", message); }

    static ApiError notFound(String message) { return new ApiError(404, "not_found_error", message); }

    static ApiError unavailable(String message) { return new ApiError(503, "unavailable_error", message); }
}
