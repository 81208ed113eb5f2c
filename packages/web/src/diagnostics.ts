import diagnostics from 'node:diagnostics_channel';

/** `support:web:response`: { method, url, route, status } once a response is handed to Node (route is undefined for 404/405/400). */
export const responseChannel = diagnostics.channel('support:web:response');
/** `support:web:error`: { error, method, url, route } for every unexpected (non-HTTPError) error. */
export const errorChannel = diagnostics.channel('support:web:error');
/** `support:web:linger`: { end, bytes, ms } when a lingering close ends (`end`: 'closed' by the client or the server's owner, 'idle' past lingeringTimeout, 'time' past lingeringTime). */
export const lingerChannel = diagnostics.channel('support:web:linger');
