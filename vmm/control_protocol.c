#include "control_protocol.h"

#include <stdio.h>
#include <string.h>

static const char *const request_words[] = {
	[CONTROL_INFO] = "info", [CONTROL_STOP] = "stop", [CONTROL_PAUSE] = "pause",
	[CONTROL_RESUME] = "resume", [CONTROL_STAT] = "stat", [CONTROL_STAT_JSON] = "stat json",
};

enum control_request control_request_parse(const char *bytes, size_t size)
{
	for (size_t r = CONTROL_INFO; r < sizeof(request_words) / sizeof(request_words[0]); r++) {
		if (strlen(request_words[r]) == size && memcmp(bytes, request_words[r], size) == 0)
			return (enum control_request)r;
	}
	return CONTROL_INVALID;
}

const char *control_request_text(enum control_request request)
{
	return request > CONTROL_INVALID && request <= CONTROL_STAT_JSON ? request_words[request] : "";
}

bool control_name_valid(const char *name)
{
	size_t length = strlen(name);

	if (length == 0 || length > CONTROL_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < length; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int control_directory(char *out, size_t out_size, const char *xdg_runtime_dir, const char *home)
{
	int n;

	if (xdg_runtime_dir && xdg_runtime_dir[0] == '/')
		n = snprintf(out, out_size, "%s/lvmm", xdg_runtime_dir);
	else if (home && home[0] == '/')
		n = snprintf(out, out_size, "%s/.lvmm", home);
	else
		return -1;
	return n < 0 || (size_t)n >= out_size ? -1 : 0;
}
