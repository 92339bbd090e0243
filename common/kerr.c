/* kerr.c — names of Kafka's error codes (the table is kerr.h's KERR_LIST). */
#include "kerr.h"

#include <stddef.h>

struct kerr_row {
	int code;
	const char *name;
	bool retriable;
};

static const struct kerr_row kerr_rows[] = {
#define KERR_ROW_(name, code, retriable) { (code), #name, (retriable) },
	KERR_LIST(KERR_ROW_)
#undef KERR_ROW_
};

static const struct kerr_row *kerr_row(int code)
{
	/* Rows are in code order from -1 without gaps, so the code indexes the table. */
	int i = code + 1;
	if (i < 0 || (size_t)i >= sizeof kerr_rows / sizeof kerr_rows[0])
		return 0;
	return kerr_rows[i].code == code ? &kerr_rows[i] : 0;
}

const char *kerr_name(int code)
{
	const struct kerr_row *row = kerr_row(code);
	return row ? row->name : "UNKNOWN_CODE";
}

bool kerr_retriable(int code)
{
	const struct kerr_row *row = kerr_row(code);
	return row && row->retriable;
}
