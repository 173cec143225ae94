-- Changing an account's address: the link goes to the new address, which it proves.
alter table email_tokens add column new_email text;
alter table email_tokens drop constraint email_tokens_purpose_check;
alter table email_tokens add constraint email_tokens_purpose_check
    check (purpose in ('reset_password', 'change_email'));
