"""Pages of documents (制度与通知): the list with search, a document, publishing, the read list,
已阅, 回执 and the permission-checked downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from alliance import selectors, services
from alliance.forms import (
    DocumentAttachmentForm,
    DocumentForm,
    DocumentReplyForm,
    DocumentSearchForm,
)
from alliance.services import DocumentError
from alliance.views.base import _page
from core.uploads import open_stored
from core.views import (
    ActionView,
    FormPageView,
    PortalPermissionMixin,
    add_service_error,
    service_error_message,
)

SECTION_NAV = "alliance/community/includes/_nav.html"


class _DocumentMixin:
    def get_object(self):
        return selectors.get_document_for(self.request.user, self.kwargs["pk"])


class DocumentListView(PortalPermissionMixin, TemplateView):
    permission_required = "alliance.view_document"
    template_name = "alliance/documents/document_list.html"

    def get_context_data(self, **kwargs):
        form = DocumentSearchForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        documents = selectors.document_list_for(
            self.request.user, search=data.get("q", ""), category=data.get("category", "")
        )
        return super().get_context_data(
            form=form, page_obj=_page(self.request, documents), **kwargs
        )


class DocumentDetailView(_DocumentMixin, PortalPermissionMixin, TemplateView):
    permission_required = "alliance.view_document"
    template_name = "alliance/documents/document_detail.html"

    def get_context_data(self, **kwargs):
        user, document = self.request.user, self.object
        addressed = bool(
            user.is_secretary
            and user.organization_id
            and selectors.document_addresses(document, user.organization)
        )
        own_read = own_reply = None
        if addressed:
            own_read = document.reads.filter(organization_id=user.organization_id).first()
            own_reply = document.replies.filter(organization_id=user.organization_id).first()
        may_manage = user.has_perm("alliance.view_document_readers")
        return super().get_context_data(
            document=document,
            attachments=list(document.attachments.all()),
            recipients=list(document.recipients.order_by("path")),
            addressed=addressed,
            own_read=own_read,
            own_reply=own_reply,
            reply_form=DocumentReplyForm() if addressed and document.reply_required else None,
            may_manage=may_manage,
            figures=selectors.document_read_figures(document) if may_manage else None,
            replies=selectors.replies_for(user, document) if may_manage else None,
            attachment_form=DocumentAttachmentForm() if may_manage else None,
            **kwargs,
        )


class DocumentCreateView(FormPageView):
    permission_required = "alliance.add_document"
    form_class = DocumentForm
    section_nav = SECTION_NAV

    def get_title(self) -> str:
        return _("Publish a document")

    def get_cancel_url(self):
        return reverse("alliance:document_list")

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        upload = data.pop("attachment", None)
        try:
            document = services.document_publish(
                acting_user=self.request.user,
                attachments=[upload] if upload else [],
                **data,
            )
        except DocumentError as exc:
            add_service_error(form, exc)
            if exc.field == "file":
                form.add_error("attachment", exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("The document is published."))
        return redirect(document)


class DocumentReadersView(_DocumentMixin, PortalPermissionMixin, TemplateView):
    """The bureau's read list: who has read, who has not, who has replied."""

    permission_required = "alliance.view_document_readers"
    template_name = "alliance/documents/document_readers.html"

    def get_context_data(self, **kwargs):
        document = self.object
        unread_only = self.request.GET.get("unread") == "1"
        readers = selectors.document_readers(document, unread_only=unread_only)
        return super().get_context_data(
            document=document,
            unread_only=unread_only,
            figures=selectors.document_read_figures(document),
            page_obj=_page(self.request, readers, size=50),
            **kwargs,
        )


class DocumentMarkReadView(_DocumentMixin, ActionView):
    permission_required = "alliance.read_document"

    def post(self, request, pk):
        try:
            services.document_mark_read(document=self.object, acting_user=request.user)
        except DocumentError as exc:
            messages.error(request, service_error_message(exc))
        else:
            messages.success(request, _("Marked as read."))
        return redirect(self.object)


class DocumentReplyView(_DocumentMixin, FormPageView):
    permission_required = "alliance.read_document"
    form_class = DocumentReplyForm
    section_nav = SECTION_NAV
    submit_label = _("Send the reply")

    def get_title(self) -> str:
        return _("Reply to the document")

    def get_subtitle(self):
        return self.object

    def form_valid(self, form):
        try:
            services.document_reply(
                document=self.object,
                acting_user=self.request.user,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data.get("file"),
            )
        except DocumentError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The reply is sent."))
        return redirect(self.object)


class DocumentAttachmentAddView(_DocumentMixin, ActionView):
    permission_required = "alliance.add_document"

    def post(self, request, pk):
        form = DocumentAttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Attachment: choose a file."))
            return redirect(self.object)
        try:
            services.document_attachment_add(
                document=self.object, upload=form.cleaned_data["file"], acting_user=request.user
            )
        except DocumentError as exc:
            messages.error(
                request, _("Attachment: %(problem)s") % {"problem": service_error_message(exc)}
            )
        else:
            messages.success(request, _("The file was attached."))
        return redirect(self.object)


def _file_response(stored):
    return FileResponse(
        open_stored(stored.file, what=f"{type(stored).__name__} {stored.pk}"),
        content_type=stored.content_type,
        as_attachment=not stored.is_image,
        filename=stored.original_name,
    )


class DocumentAttachmentDownloadView(PortalPermissionMixin, View):
    permission_required = "alliance.view_document"

    def get_object(self):
        return selectors.get_document_attachment_for(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        return None

    def get(self, request, pk):
        return _file_response(self.object)


class DocumentReplyDownloadView(PortalPermissionMixin, View):
    permission_required = "alliance.view_document"

    def get_object(self):
        reply = selectors.get_document_reply_for(self.request.user, self.kwargs["pk"])
        if not reply.file:
            raise Http404
        return reply

    def get_permission_object(self):
        return None

    def get(self, request, pk):
        return _file_response(self.object)
