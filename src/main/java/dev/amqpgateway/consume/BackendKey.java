package dev.amqpgateway.consume;

/**
 * Which backend of which endpoint.
 *
 * @param endpoint path of the endpoint
 * @param index position of the backend in the endpoint's list
 */
record BackendKey(String endpoint, int index) {
}
