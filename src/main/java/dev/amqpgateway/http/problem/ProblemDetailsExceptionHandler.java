package dev.amqpgateway.http.problem;

import java.net.URI;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.ErrorResponse;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Writes every failure of a request as an RFC 9457 {@code application/problem+json} body with a
 * stable type, through the server's own codecs (whose Jackson encoder renders a
 * {@link ProblemDetail} and its properties); failures that are not {@link ErrorResponse}s become a
 * 500 that reveals nothing of the cause (which is logged).
 *
 * <p>Spring's {@code ResponseEntityExceptionHandler} does this for annotated controllers only; the
 * endpoints here are functional routes, and some failures (404, 405, a malformed request) happen
 * before any handler runs.
 */
class ProblemDetailsExceptionHandler implements WebExceptionHandler, Ordered {

	private static final Log logger = LogFactory.getLog(ProblemDetailsExceptionHandler.class);

	/**
	 * Before Boot's error handler ({@code ErrorWebFluxAutoConfiguration} registers it at -1), which
	 * would answer with a JSON error body of its own.
	 */
	private static final int ORDER = -2;

	private final ServerResponse.Context context;

	ProblemDetailsExceptionHandler(ServerCodecConfigurer codecs) {
		List<HttpMessageWriter<?>> writers = codecs.getWriters();
		this.context = new ServerResponse.Context() {

			@Override
			public List<HttpMessageWriter<?>> messageWriters() {
				return writers;
			}

			@Override
			public List<ViewResolver> viewResolvers() {
				return List.of();
			}

		};
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(failure);
		}
		HttpHeaders headers = new HttpHeaders();
		ProblemDetail problem = problemOf(failure, headers);
		problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
		return ServerResponse.status(problem.getStatus())
			.headers((all) -> all.putAll(headers))
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyValue(problem)
			.flatMap((response) -> response.writeTo(exchange, this.context));
	}

	private static ProblemDetail problemOf(Throwable failure, HttpHeaders headers) {
		if (failure instanceof ErrorResponse error) {
			headers.putAll(error.getHeaders());
			ProblemDetail problem = error.getBody();
			if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
				problem.setType(typeOf(problem.getStatus()));
			}
			if (problem.getTitle() == null) {
				problem.setTitle("Error");
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

}
