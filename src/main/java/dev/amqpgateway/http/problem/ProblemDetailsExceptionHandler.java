package dev.amqpgateway.problem;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Writes every failure of a request as an RFC 9457 {@code application/problem+json} body with a
 * stable type; failures that are not {@link ErrorResponse}s become a 500 that reveals nothing of
 * the cause (which is logged).
 */
class ProblemDetailsExceptionHandler implements WebExceptionHandler, Ordered {

	private static final Log logger = LogFactory.getLog(ProblemDetailsExceptionHandler.class);

	private final JsonMapper mapper;

	ProblemDetailsExceptionHandler(JsonMapper mapper) {
		this.mapper = mapper;
	}

	@Override
	public int getOrder() {
		return -2;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.error(failure);
		}
		HttpHeaders headers = new HttpHeaders();
		ProblemDetail problem = problemOf(failure, headers);
		problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
		response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
		response.getHeaders().putAll(headers);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		byte[] body = this.mapper.writeValueAsBytes(toMap(problem));
		response.getHeaders().setContentLength(body.length);
		DataBuffer buffer = response.bufferFactory().wrap(body);
		return response.writeWith(Mono.just(buffer));
	}

	private static ProblemDetail problemOf(Throwable failure, HttpHeaders headers) {
		if (failure instanceof ErrorResponse error) {
			headers.putAll(error.getHeaders());
			ProblemDetail problem = error.getBody();
			if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
				problem.setType(typeOf(problem.getStatus()));
			}
			return problem;
		}
		logger.error("Request failed", failure);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
				"The gateway failed to answer; its log has the cause.");
		problem.setType(ProblemTypes.INTERNAL_ERROR);
		return problem;
	}

	private static URI typeOf(int status) {
		return switch (status) {
			case 404 -> ProblemTypes.NOT_FOUND;
			case 405 -> ProblemTypes.METHOD_NOT_ALLOWED;
			case 500 -> ProblemTypes.INTERNAL_ERROR;
			default -> (status >= 400 && status < 500) ? ProblemTypes.BAD_REQUEST : ProblemTypes.INTERNAL_ERROR;
		};
	}

	private static Map<String, Object> toMap(ProblemDetail problem) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", String.valueOf(problem.getType()));
		HttpStatus status = HttpStatus.resolve(problem.getStatus());
		body.put("title", (problem.getTitle() != null) ? problem.getTitle()
				: (status != null) ? status.getReasonPhrase() : "Error");
		body.put("status", problem.getStatus());
		if (problem.getDetail() != null) {
			body.put("detail", problem.getDetail());
		}
		body.put("instance", String.valueOf(problem.getInstance()));
		if (problem.getProperties() != null) {
			body.putAll(problem.getProperties());
		}
		return body;
	}

}
