from django.urls import path

from faq import views

urlpatterns = [
    path("faq-items/", views.FAQItemList.as_view(), name="faqitem-list"),
    path("faq-items/<str:slug>/", views.FAQItemDetail.as_view(), name="faqitem-detail"),
    path("faq-categories/", views.FAQCategoryList.as_view(), name="faqcategory-list"),
    path(
        "faq-categories/<str:slug>/",
        views.FAQCategoryDetail.as_view(),
        name="faqcategory-detail",
    ),
]
