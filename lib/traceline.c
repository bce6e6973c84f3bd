/* traceline.c — one trace line read back with jansson. */
#include "traceline.h"

#include <stdio.h>

json_t *traceline_read(const char *line, size_t n, json_error_t *err)
{
    /* Without JSON_ALLOW_NUL, jansson refuses \u0000 in a string; without
     * JSON_DECODE_ANY, a line that is a lone string or number. */
    json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, err);

    if (o != NULL && !json_is_object(o)) {
        json_decref(o);
        if (err != NULL)
            snprintf(err->text, sizeof err->text, "an array, not an object");
        return NULL;
    }
    return o;
}

const char *traceline_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

long long traceline_int(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}
