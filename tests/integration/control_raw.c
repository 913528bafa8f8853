/*
 * control-raw SOCKET REQUEST: sends REQUEST, byte for byte, as one message to an lvmm control
 * socket and prints the reply. The integration suite sends malformed requests with it, which
 * lvmm's own client never would. REQUEST may use \n and \0 escapes; "-" sends an empty one.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	char request[4096], reply[65536];
	size_t size = 0;
	ssize_t n;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(address.sun_path)) {
		fprintf(stderr, "usage: control-raw SOCKET REQUEST\n");
		return 2;
	}
	strcpy(address.sun_path, argv[1]);
	for (const char *p = strcmp(argv[2], "-") ? argv[2] : ""; *p && size < sizeof(request); p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			request[size++] = '\n';
			p++;
		} else if (p[0] == '\\' && p[1] == '0') {
			request[size++] = '\0';
			p++;
		} else {
			request[size++] = *p;
		}
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0 ||
	    send(fd, request, size, 0) < 0) {
		perror("control-raw");
		return 1;
	}
	n = recv(fd, reply, sizeof(reply) - 1, 0);
	if (n < 0) {
		perror("control-raw: recv");
		return 1;
	}
	reply[n] = '\0';
	fputs(reply, stdout);
	return 0;
}
