package dev.amqpgateway.consume;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The deliveries one request has taken. A request that completes acknowledges those it wrote;
 * everything else it took (the client left, the write failed, a backend answered after the
 * timeout) is requeued. Once closed, a lease takes nothing more.
 */
public final class Lease {

	private final List<Delivery> taken = new ArrayList<>(2);

	private boolean closed;

	/**
	 * Give a delivery to this lease's request.
	 * @param delivery a delivery no request owns
	 * @return false when the request is over and the delivery must go elsewhere
	 */
	synchronized boolean take(Delivery delivery) {
		if (this.closed) {
			return false;
		}
		this.taken.add(delivery);
		return true;
	}

	/**
	 * Give back a delivery this lease took and will not use, so that another request may take it.
	 * @param delivery a delivery of this lease
	 */
	synchronized void giveBack(Delivery delivery) {
		this.taken.remove(delivery);
	}

	/**
	 * Close the lease: acknowledge the deliveries that were written, requeue the rest.
	 * @param written the deliveries the response carried to the client
	 */
	public void complete(Collection<Delivery> written) {
		for (Delivery delivery : close()) {
			if (written.contains(delivery)) {
				delivery.ack();
			}
			else {
				delivery.requeue();
			}
		}
	}

	/**
	 * Close the lease, leaving the given deliveries unsettled (their clients hold them on lease
	 * now) and requeuing the rest.
	 * @param kept the deliveries leased to the client
	 */
	public void keep(Collection<Delivery> kept) {
		for (Delivery delivery : close()) {
			if (!kept.contains(delivery)) {
				delivery.requeue();
			}
		}
	}

	/**
	 * Close the lease and requeue every delivery it took that is not settled yet.
	 */
	public void release() {
		close().forEach(Delivery::requeue);
	}

	private synchronized List<Delivery> close() {
		this.closed = true;
		List<Delivery> deliveries = new ArrayList<>(this.taken);
		this.taken.clear();
		return deliveries;
	}

}
