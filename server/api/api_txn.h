/* api_txn.h — shared by the transaction coordinator's handlers (api_txn.c: InitProducerId
 * with a transactional id, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn; api_txn_admin.c:
 * DescribeTransactions, ListTransactions).
 *
 * A request the coordinator may answer later travels as a struct twait; each call into a
 * coordinator gets one of its items as the `handle` txn/ answers exactly once:
 *   - the handler holds the wait while it runs (an answer given during the call is recorded
 *     in the response and the handler responds at once);
 *   - otherwise the handler parks r (kreq_park: its connection closing expires the wait) and
 *     returns H_ASYNC; the last item answered sends the response and frees the wait;
 *   - a wait that ends first (connection closed, shutdown, TWAIT_MAX_MS) lets go of r but
 *     not of the wait: the coordinators still hold its items and always answer them
 *     eventually (at the latest when unloaded), and the last answer frees it.
 */
#ifndef KB_SERVER_API_TXN_H
#define KB_SERVER_API_TXN_H

#include "../../txn/txn.h"
#include "../core/dispatch.h"

/* The answers every transaction coordinator calls (registered by broker.c via tsvc_start). */
extern const struct txn_io api_txn_answers;

/* InitProducerId with a non-null TransactionalId (api_producer.c hands it over). */
enum handler_result handle_init_producer_id_txn(struct kreq *r);

/* The coordinator of txn_id for a request, with its error when there is none:
 * INVALID_REQUEST for a null or empty id, else tsvc_coordinator's errors. */
int16_t txn_coord_of(struct kreq *r, struct kp_str txn_id, struct txn_coord **c);

#endif
