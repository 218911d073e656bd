import { queryOptions } from '@tanstack/react-query';
import { client } from '../../api/generated/client.gen';

// The local mailbox is a development-only route, left out of the API's OpenAPI contract
// (`halcyon openapi` describes a production app), so its two calls are typed by hand here.
// They go through the generated client, so they share its base URL, cookies and errors.

export interface MailSummary {
  id: string;
  to: string;
  subject: string;
  received_at: string | null;
}

export interface MailList {
  items: MailSummary[];
}

export interface MailRead extends MailSummary {
  text: string;
}

export const mailboxQuery = queryOptions({
  queryKey: ['mailbox'],
  queryFn: async ({ signal }) =>
    (await client.get<{ 200: MailList }, unknown, true>({ url: '/api/dev/mailbox', signal })).data,
  staleTime: 0,
});

export function mailboxMessageQuery(id: string) {
  return queryOptions({
    queryKey: ['mailbox', id],
    queryFn: async ({ signal }) =>
      (
        await client.get<{ 200: MailRead }, unknown, true>({
          url: '/api/dev/mailbox/{message_id}',
          path: { message_id: id },
          signal,
        })
      ).data,
  });
}
